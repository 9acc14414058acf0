import type { Server } from 'node:http';

/** A port another process already listens on: start-up stops with one line that says what to change. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly setting: string,
  ) {
    super(`Port ${port} is already in use. Stop the program using it, or choose another port with ${setting} (0 picks a free one).`);
    this.name = 'PortInUseError';
  }
}

/** `error`, or a PortInUseError naming `setting` when it says the address is already in use. */
function portInUse(error: unknown, port: number, setting: string): unknown {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' ? new PortInUseError(port, setting) : error;
}

/** Waits for `server` to listen; an address already in use becomes a PortInUseError naming `setting`. */
export function listening(server: Server, port: number, setting: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => reject(portInUse(error, port, setting));
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}
