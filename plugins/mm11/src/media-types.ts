/** Media type helpers: kinds, aliases, accept matching, file extensions. */

export type MediaKind = 'image' | 'audio' | 'video' | 'text' | 'smil' | 'other';

const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/heif': 'image/heic',
  'image/heic-sequence': 'image/heic',
  'image/heif-sequence': 'image/heic',
  'image/x-ms-bmp': 'image/bmp',
  'audio/x-amr': 'audio/amr',
  'audio/amr-nb': 'audio/amr',
  'audio/mp3': 'audio/mpeg',
  'audio/x-mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-aac': 'audio/aac',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'video/3gp': 'video/3gpp',
  'application/x-smil': 'application/smil',
  'text/smil': 'application/smil',
  'text/vcard': 'text/x-vcard',
};

/** Lower-case, parameters dropped, common aliases mapped to one name. */
export function normalizeType(type: string): string {
  const t = type.split(';')[0]!.trim().toLowerCase();
  return ALIASES[t] ?? t;
}

export function kindOf(type: string): MediaKind {
  const t = normalizeType(type);
  if (t === 'application/smil') return 'smil';
  if (t.startsWith('image/')) return 'image';
  if (t.startsWith('audio/')) return 'audio';
  if (t.startsWith('video/')) return 'video';
  if (t === 'text/plain') return 'text';
  return 'other';
}

/** Does an accept list (with `type/*` and `*\/*`) take this type? No list: everything. */
export function accepts(accept: readonly string[] | undefined, type: string): boolean {
  if (!accept || accept.length === 0) return true;
  const t = normalizeType(type);
  const major = t.split('/')[0];
  for (const raw of accept) {
    const a = normalizeType(raw);
    if (a === '*/*' || a === '*' || a === t) return true;
    if (a.endsWith('/*') && a.slice(0, -2) === major) return true;
  }
  return false;
}

const EXT: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/heic': 'heic',
  'image/tiff': 'tif',
  'image/bmp': 'bmp',
  'image/vnd.wap.wbmp': 'wbmp',
  'audio/amr': 'amr',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/3gpp': '3gp',
  'video/3gpp': '3gp',
  'video/mp4': 'mp4',
  'text/plain': 'txt',
  'application/smil': 'smil',
};

export function extensionFor(type: string): string {
  return EXT[normalizeType(type)] ?? 'bin';
}

/** `photo.png` + `image/jpeg` → `photo.jpg`; a name without an extension gets one. */
export function renameFor(name: string | undefined, type: string, fallback: string): string {
  const ext = extensionFor(type);
  const base = (name ?? fallback).replace(/^.*[\\/]/, '');
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base || fallback;
  return `${stem}.${ext}`;
}

/** Human size: `2.3 MB`, `310 KB`, `900 bytes`. */
export function humanSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** Sniffs a container/format from magic bytes, for parts whose declared type is wrong or generic. */
export function sniffType(data: Uint8Array): string | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 64));
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (b.length >= 6 && b.toString('latin1', 0, 4) === 'GIF8') return 'image/gif';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (b.length >= 4 && (b.toString('latin1', 0, 4) === 'II*\0' || b.toString('latin1', 0, 4) === 'MM\0*')) return 'image/tiff';
  if (b.length >= 2 && b.toString('latin1', 0, 2) === 'BM') return 'image/bmp';
  if (b.length >= 6 && b.toString('latin1', 0, 6) === '#!AMR\n') return 'audio/amr';
  if (b.length >= 3 && (b.toString('latin1', 0, 3) === 'ID3' || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0 && (b[1]! & 0x06) !== 0))) {
    if (b[0] === 0xff && (b[1]! & 0xf6) === 0xf0) return 'audio/aac';
    return 'audio/mpeg';
  }
  if (b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp') {
    const brand = b.toString('latin1', 8, 12);
    if (/^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand)) return brand === 'mif1' && b.includes('avif', 0, 'latin1') ? 'image/avif' : 'image/heic';
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (brand.startsWith('3gp') || brand.startsWith('3g2')) return 'video/3gpp';
    if (brand === 'M4A ') return 'audio/mp4';
    return 'video/mp4';
  }
  return undefined;
}
