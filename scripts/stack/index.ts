/**
 * One way to start the stack, for `npm run dev:emulator`, the integration tests, Playwright and
 * the benches: build-if-stale (build.ts), the built app (app.ts), optionally behind the product
 * emulator with the app installed (emulator.ts).
 */
export { buildInputs, buildSpec, buildState, ensureBuild, ROOT, sourceFingerprint, type BuildKind, type BuildSpec } from './build';
export { hasTaskset, startApp, stopProcess, type AppServer, type StartAppOptions } from './app';
export { emulatorEnv, startEmulatorStack, type EmulatorStackOptions, type Stack } from './emulator';
export { freePort, pickPort, portFree } from './ports';
