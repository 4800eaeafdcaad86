import { createConnection } from 'node:net';

/** Sends one inline command to host:port and resolves with the first reply (empty when none came in time, or the server closed the connection). */
export function redisCommand(port: number, line: string, timeoutMs = 500, host = '127.0.0.1'): Promise<string> {
  return new Promise((done) => {
    const socket = createConnection({ port, host });
    const finish = (reply: string): void => {
      socket.destroy();
      done(reply);
    };
    socket.setTimeout(timeoutMs, () => finish(''));
    socket.once('connect', () => socket.write(`${line}\r\n`));
    socket.once('data', (d) => finish(d.toString()));
    socket.once('error', () => finish(''));
    // SHUTDOWN answers nothing: the server closes the connection.
    socket.once('close', () => finish(''));
  });
}

/** Whether something answers PING on host:port within the timeout (a Redis asking for a password counts). */
export async function redisAnswers(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  const reply = await redisCommand(port, 'PING', timeoutMs, host);
  return reply.startsWith('+PONG') || reply.startsWith('-NOAUTH');
}
