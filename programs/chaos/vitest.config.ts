import { defineConfig } from 'vitest/config';
import { vitestConfig } from '@frequency/testing/vitest';

// No shared Pub/Sub emulator: the run starts (and restarts) its own on a free port.
export default defineConfig(vitestConfig());
