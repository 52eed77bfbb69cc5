// Each project is one part of Xianrong. Suites start what they need (their own database,
// the server on port 0) so they can run in any order and in parallel.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } }, target: 'es2022' }, module: { type: 'commonjs' } }];

// Suites start real databases and servers; on a busy 2-core machine that can take seconds.
// sanitize-html's parser (htmlparser2 and its dom packages) ships ES modules only: compile those to CommonJS too.
const common = { transform: { '^.+\\.(t|j)sx?$': swc }, transformIgnorePatterns: ['^(?!.*/node_modules/sanitize-html/node_modules/).*/node_modules/'] };

module.exports = {
  maxWorkers: 2,
  // A suite's beforeAll starts its own database and a seeded server (the demo county is played
  // through the services, then the background jobs start): on a 2-core machine running two suites
  // at once that has come close to 30 s. Tests themselves wait on events, never on this limit.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'server',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/server/**/*.test.ts'],
      ...common,
    },
    {
      displayName: 'bot',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/bot/**/*.test.ts'],
      ...common,
    },
    {
      displayName: 'app',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/tests/app/**/*.test.{ts,tsx}'],
      ...common,
      moduleNameMapper: {
        '^@tarojs/taro$': '<rootDir>/tests/app/stubs/taro.ts',
        '^@tarojs/components$': '<rootDir>/tests/app/stubs/components.tsx',
        '\\.(css|scss)$': '<rootDir>/tests/app/stubs/style.ts',
      },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
      ...common,
    },
  ],
};
