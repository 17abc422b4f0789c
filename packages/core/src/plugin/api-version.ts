import semver from 'semver';

/** The plugin API this kernel implements. Plugins declare the range they were written for. */
export const CORE_API_VERSION = '1.0.0';

export class PluginApiVersionError extends Error {
  constructor(plugin: string, range: string) {
    super(
      `plugin ${plugin} requires OpenMMSC plugin API ${range}, but this kernel implements ${CORE_API_VERSION}; ` +
        `install a version of ${plugin} made for API ${semver.major(CORE_API_VERSION)}.x or a kernel that satisfies ${range}`,
    );
    this.name = 'PluginApiVersionError';
  }
}

export function assertApiCompatible(plugin: string, range: string): void {
  if (!semver.validRange(range)) {
    throw new PluginApiVersionError(plugin, `${range} (not a valid semver range)`);
  }
  if (!semver.satisfies(CORE_API_VERSION, range)) throw new PluginApiVersionError(plugin, range);
}
