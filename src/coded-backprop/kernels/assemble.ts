/**
 * Assembles a kernel's WebAssembly text into its binary with wabt (a devDependency: used by
 * `npm run build:kernels` and the test that checks the committed binaries, never at run time).
 */
export async function assembleKernel(name: string, wat: string): Promise<Uint8Array> {
  const wabt = await (await import('wabt')).default();
  const module = wabt.parseWat(name, wat, { simd: true });
  try {
    module.validate();
    return Uint8Array.from(module.toBinary({ log: false, write_debug_names: true }).buffer);
  } finally {
    module.destroy();
  }
}
