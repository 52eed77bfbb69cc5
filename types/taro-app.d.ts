// Ambient declarations for the Taro mini-program in src/ (assets imported from code, build-time env).
declare module '*.png' {
  const src: string;
  export default src;
}
declare module '*.jpg' {
  const src: string;
  export default src;
}
declare module '*.svg' {
  const src: string;
  export default src;
}

declare namespace NodeJS {
  interface ProcessEnv {
    /** Set by the Taro CLI at build time: 'weapp' | 'h5' | ... */
    TARO_ENV?: 'weapp' | 'h5' | 'swan' | 'alipay' | 'tt' | 'qq' | 'jd' | 'harmony' | 'rn';
    /** Server base URL baked into the mini-program at build time ('' = same origin in H5). */
    TARO_APP_API_BASE?: string;
  }
}
