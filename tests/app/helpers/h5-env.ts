// Import first in a test to render the H5 variant of pages (they read TARO_ENV when loaded).
process.env.TARO_ENV = 'h5';
export {};
