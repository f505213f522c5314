import { freePort } from '@frequency/processes';
import { describe, expect, test } from 'vitest';
import { portAnswers, startSpannerEmulator } from './spanner-emulator.js';

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startSpannerEmulator', () => {
  test('serves gRPC and REST through the gateway, and stop() ends the whole process group', async () => {
    const [grpcPort, restPort] = [await freePort(), await freePort()];
    const emulator = await startSpannerEmulator({ host: '127.0.0.1', grpcPort, restPort });
    try {
      expect(emulator.hostPort).toBe(`127.0.0.1:${grpcPort}`);
      const response = await fetch(`http://127.0.0.1:${restPort}/v1/projects/p/instanceConfigs`);
      expect(response.status).toBe(200);
    } finally {
      await emulator.stop();
    }
    expect(processAlive(emulator.pid)).toBe(false);
    expect(await portAnswers('127.0.0.1', grpcPort)).toBe(false);
    expect(await portAnswers('127.0.0.1', restPort)).toBe(false);
  });

  test('refuses a port that is already taken instead of reporting another server as its own', async () => {
    const grpcPort = await freePort();
    const first = await startSpannerEmulator({ host: '127.0.0.1', grpcPort });
    try {
      await expect(startSpannerEmulator({ host: '127.0.0.1', grpcPort })).rejects.toThrow(
        /already in use/,
      );
    } finally {
      await first.stop();
    }
    expect(processAlive(first.pid)).toBe(false);
  });

  test('says where to get the emulator when the binaries are missing', async () => {
    await expect(startSpannerEmulator({ binDir: '/nonexistent' })).rejects.toThrow(
      /SPANNER_EMULATOR_DIR/,
    );
  });
});
