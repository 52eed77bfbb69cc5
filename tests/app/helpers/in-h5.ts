/**
 * Runs `fn` as the H5 build, then back to the test's build: the code under test reads TARO_ENV
 * when it is called (the real build inlines it), so one test can try both.
 */
export async function inH5(fn: () => Promise<void> | void): Promise<void> {
  const before = process.env.TARO_ENV;
  process.env.TARO_ENV = 'h5';
  try {
    await fn();
  } finally {
    process.env.TARO_ENV = before;
  }
}
