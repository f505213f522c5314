// Tailwind v4 runs as a PostCSS plugin; Next picks this file up by name.
export default {
  plugins: { '@tailwindcss/postcss': {} },
};
