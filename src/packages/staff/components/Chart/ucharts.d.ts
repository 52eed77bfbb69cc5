// @qiun/ucharts ships JavaScript only: the little of its API the Chart component uses.
declare module '@qiun/ucharts' {
  export default class UCharts {
    constructor(opts: Record<string, unknown>);
    updateData(data: Record<string, unknown>): void;
    addEventListener(type: 'renderComplete', listener: () => void): void;
  }
}
