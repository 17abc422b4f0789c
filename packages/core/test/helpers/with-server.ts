/** Runs `use` against a server started for it alone, and stops the server afterwards, whether `use` succeeded or not. */
export async function withServer<S extends { stop(): Promise<void> }, R>(start: () => Promise<S>, use: (server: S) => Promise<R>): Promise<R> {
  const server = await start();
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}
