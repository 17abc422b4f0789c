import type { AdaptationCapabilities, MediaJob } from '../adapt.js';
import type { ClassTable } from '../capabilities.js';
import type { MediaOutcome } from '../image.js';
import { kindOf, normalizeType } from '../media-types.js';
import type { CapabilityResolver } from '../uaprof.js';
import type { StiJob, StiMediaParams, StiProperty, StiRequest, StiTranscodingParams } from './xml.js';

const prop = (list: readonly StiProperty[] | undefined, name: string): string | undefined => list?.find((p) => p.name === name)?.value;

/** The STI job (target parameters) that asks an external transcoder for what `job` needs. */
export function stiJobFor(job: MediaJob, jobId: string, location: string): StiJob {
  const c = job.caps;
  const media: StiMediaParams = { kind: job.kind };
  const ext: StiProperty[] = [];
  let accept = c.accept;
  if (job.kind === 'image') {
    if (c.maxImageWidth) media.width = c.maxImageWidth;
    if (c.maxImageHeight) media.height = c.maxImageHeight;
    // The transcoder may answer an animation with a video only if the class lets it.
    if (c.animationAsVideo === false) accept = accept?.filter((t) => kindOf(t) !== 'video');
  } else if (job.kind === 'video') {
    if (c.maxVideoWidth) media.width = c.maxVideoWidth;
    if (c.maxVideoHeight) media.height = c.maxVideoHeight;
    if (c.videoCodec) media.codec = c.videoCodec;
    if (c.maxVideoBitRate) media.bitRate = c.maxVideoBitRate;
    if (c.maxVideoFrameRate) media.frameRate = c.maxVideoFrameRate;
    if (c.maxVideoSeconds) ext.push({ name: 'maxDurationSeconds', value: String(c.maxVideoSeconds) });
  } else if (c.maxAudioSeconds) ext.push({ name: 'maxDurationSeconds', value: String(c.maxAudioSeconds) });
  if (ext.length) media.extension = ext;
  const params: StiTranscodingParams = { media, sizeLimit: job.budget };
  if (accept?.length) params.extension = [{ name: 'accept', value: accept.join(',') }];
  const target = { params, ...(c.charsets?.length ? { extension: [{ name: 'charsets', value: c.charsets.join(',') }] } : {}) };
  return { jobId, source: { contentType: normalizeType(job.type), location }, target, adaptationClasses: [{ className: c.class }] };
}

/** What a job asks for, as capabilities and a byte budget (server side). */
export async function capsForStiJob(
  req: StiRequest,
  job: StiJob,
  classes: ClassTable,
  resolver: CapabilityResolver | undefined,
): Promise<{ caps: AdaptationCapabilities; budget: number }> {
  let caps: AdaptationCapabilities = { class: 'sti' };
  const named = [...(job.adaptationClasses ?? []), ...(req.adaptationClasses ?? [])].find((c) => c.allowed !== false && classes.byName(c.className));
  const profileId = job.target?.profileId ?? req.profileId;
  if (named) caps = classes.byName(named.className)!;
  else if (profileId && /^https?:\/\//i.test(profileId) && resolver) {
    const p = await resolver.profile(profileId);
    if (p) caps = resolver.fromProfile(p);
  }
  caps = { ...caps };
  const params = job.target?.params ?? req.params;
  const m = params?.media;
  const kind = kindOf(job.source.contentType);
  const accept = prop(params?.extension, 'accept');
  if (accept) caps.accept = accept.split(',').map((s) => s.trim()).filter(Boolean);
  // An explicit output type is the only one: an animation asked for as a still is refused, not turned into a video.
  if (m?.contentType) caps.accept = [m.contentType];
  const charsets = prop(job.target?.extension, 'charsets');
  if (charsets) caps.charsets = charsets.split(',').map((s) => s.trim());
  if (m && kind === 'image') {
    if (m.width) caps.maxImageWidth = m.width;
    if (m.height) caps.maxImageHeight = m.height;
  }
  if (m && kind === 'video') {
    if (m.width) caps.maxVideoWidth = m.width;
    if (m.height) caps.maxVideoHeight = m.height;
    if (m.codec === 'h263' || m.codec === 'h264') caps.videoCodec = m.codec;
    if (m.bitRate) caps.maxVideoBitRate = m.bitRate;
    if (m.frameRate) caps.maxVideoFrameRate = m.frameRate;
  }
  const seconds = Number(prop(m?.extension, 'maxDurationSeconds'));
  if (Number.isFinite(seconds) && seconds > 0) {
    if (kind === 'video') caps.maxVideoSeconds = seconds;
    if (kind === 'audio') caps.maxAudioSeconds = seconds;
  }
  const limits = [m?.sizeLimit, params?.sizeLimit, job.target?.applicationSizeLimit, req.applicationSizeLimit, caps.maxMessageSize];
  const limit = limits.find((n) => n !== undefined && n >= 0);
  return { caps, budget: limit ?? Number.MAX_SAFE_INTEGER };
}

/** STI `adaptationPerformed` tokens for an outcome. */
export function adaptationsFor(sourceType: string, sourceSize: number, outcome: MediaOutcome): string[] {
  if (outcome.kind !== 'adapted') return [];
  const out: string[] = [];
  if (normalizeType(sourceType) !== outcome.type) out.push('FormatConversion');
  const dims = [...outcome.note.matchAll(/(\d+)×(\d+)/g)].map((m) => m[0]);
  if (dims.length >= 2 && dims[0] !== dims.at(-1)) out.push('Resize');
  if (/cut to/.test(outcome.note)) out.push('DurationReduction');
  if (outcome.data.length < sourceSize) out.push('SizeReduction');
  if (out.length === 0) out.push('Reencoding');
  return out;
}
