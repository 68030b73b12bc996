/**
 * The WebAssembly runtime API as far as Cairn uses it: the linear memory handed to the QuickJS module
 * (realm.ts). Node provides it; TypeScript declares it only in its DOM libraries, which the server does
 * not load, and without this quickjs-emscripten's `wasmMemory` option would be typed as an error.
 */
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
}
