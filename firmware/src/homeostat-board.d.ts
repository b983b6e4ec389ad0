// The board configuration the build injects into each bundle (see firmware/build).
declare module 'homeostat:board' {
  const config: unknown;
  export default config;
}

// The board's SHA-256: Espruino's native require("crypto").SHA256 where its build has one, else the
// JavaScript one (the build picks, see firmware/build/firmware-build.ts).
declare module 'homeostat:sha256' {
  const sha256: (data: Uint8Array) => Uint8Array;
  export default sha256;
}

// The pump's delivery monitor, or null on a board without a plunger position sensor (the build picks).
declare module 'homeostat:delivery-monitor' {
  const monitor: typeof import('./nodes/infusion-pump/delivery-monitor.ts').DeliveryMonitor | null;
  export default monitor;
}
