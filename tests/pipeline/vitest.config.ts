import { defineConfig } from 'vitest/config';
import { vitestConfig } from '@frequency/testing/vitest';

// The sell-out tests use the shared Pub/Sub emulator; the chaos and million runs start their own.
export default defineConfig(vitestConfig({ integration: true }));
