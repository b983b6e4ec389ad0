// The board configuration the build injects into each bundle (see firmware/build).
declare module 'homeostat:board' {
  const config: unknown;
  export default config;
}
