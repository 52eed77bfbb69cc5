// Taro's babel preset (used by the vite compiler for the mini-program and H5 builds).
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'vite' }]],
};
