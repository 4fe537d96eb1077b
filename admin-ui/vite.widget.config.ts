import { defineConfig, type Plugin } from 'vite';

/**
 * Writes every non-ASCII character of the bundle as a \u escape. widget.js runs on
 * other people's pages: a script without a charset in its Content-Type is decoded
 * with the page's encoding (GBK, windows-1252…), which would garble the Chinese texts
 * and symbols. Non-ASCII only occurs in string, template and regex literals here, where
 * the escape means the same character.
 */
function asciiOnly(): Plugin {
  return {
    name: 'kefu-ascii-only',
    generateBundle(_opts, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        chunk.code = chunk.code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      }
    },
  };
}

// The embeddable chat widget (widget/): one self-contained IIFE, widget.js, written next
// to the console's build so the Go binary serves it at /widget.js. It runs after the
// console build (`npm run build`), which empties the directory first; this build must
// not (emptyOutDir: false) and copies no public files.
export default defineConfig({
  publicDir: false,
  plugins: [asciiOnly()],
  build: {
    outDir: '../server/internal/webui/ui/dist',
    emptyOutDir: false,
    target: 'es2018',
    sourcemap: false,
    minify: true,
    copyPublicDir: false,
    lib: {
      entry: 'widget/src/main.ts',
      name: 'KefuWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
