import { defineConfig } from 'vitest/config';
import { vitestConfig } from '@frequency/testing/vitest';

export default defineConfig(vitestConfig({ integration: true }));
