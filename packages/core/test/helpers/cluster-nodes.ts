import { createMmsc, type KernelConfigInput, type Mmsc, type PluginInput } from '@openmmsc/core';

/**
 * Starts one MMSC per node id on one shared store, as the nodes of a cluster (admin server off,
 * silent log), in the order of `ids`. If a node fails to start, the ones already up are stopped.
 */
export async function startClusterNodes(
  ids: readonly string[],
  store: KernelConfigInput['store'],
  plugins: (id: string) => PluginInput[],
  config: Omit<KernelConfigInput, 'node' | 'store'> = {},
): Promise<Mmsc[]> {
  const nodes: Mmsc[] = [];
  try {
    for (const id of ids) {
      nodes.push(await createMmsc({ config: { admin: { enabled: false }, log: { level: 'silent' }, ...config, node: { id }, store }, plugins: plugins(id) }));
    }
    return nodes;
  } catch (error) {
    for (const n of nodes) await n.stop();
    throw error;
  }
}
