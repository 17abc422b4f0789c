import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

// sharp is the plugin's dependency: load the very copy it uses.
const fromPlugin = createRequire(fileURLToPath(import.meta.resolve('@openmmsc/plugin-mm11')));
export const sharp = ((await import(pathToFileURL(fromPlugin.resolve('sharp')).href)) as { default: typeof import('sharp') }).default;

/** A camera-like picture: smooth random shapes plus sensor grain, so it compresses like a photo. */
export async function photo(width: number, height: number, format: 'jpeg' | 'png'): Promise<Buffer> {
  const blobs = await sharp({ create: { width: Math.round(width / 16), height: Math.round(height / 16), channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 70 } } })
    .png()
    .toBuffer();
  const { data } = await sharp(blobs).resize(width, height, { kernel: 'cubic' }).raw().toBuffer({ resolveWithObject: true });
  let seed = 12345;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const v = data[i]! + ((seed >> 16) % 13) - 6;
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  const img = sharp(data, { raw: { width, height, channels: 3 } });
  return format === 'jpeg' ? img.jpeg({ quality: 92 }).toBuffer() : img.png({ compressionLevel: 3 }).toBuffer();
}
