/**
 * The client imports the protocol's constants and helpers
 * (@chantier/signaling/protocol), whose modules also build the TypeBox
 * schemas at top level. The client never validates with them (the server
 * does; see src/signaling/envelope.ts), but a bundler must keep every call it
 * cannot prove pure, and TypeBox with it: about a fifth of the first load.
 * This plugin marks the protocol's top-level schema calls pure
 * (`/* @__PURE__ *\/`), so that unused schemas are dropped, and the build
 * fails if TypeBox still reaches a chunk the first page loads.
 */
import type { Plugin } from 'vite';

const PROTOCOL = /\/signaling\/src\/protocol\/(?!.*\.test\.ts$)[^/]+\.ts$/;
/** `Type.Object(`, `Type.String(`…, `Object.keys(` of the schema maps, `codes.map(` into literals. */
const SCHEMA_CALL = /(?<![\w.#$])(Type\.[A-Za-z]+\(|Object\.keys\(|[A-Za-z_$][\w$]*\.map\()/g;
const SCHEMA_MARK = 'TypeBox.Kind';

interface ChunkLike {
  type: 'chunk';
  fileName: string;
  isEntry: boolean;
  imports: string[];
  code: string;
}

export function pureProtocolPlugin(): Plugin {
  return {
    name: 'chantier:pure-protocol',
    transform(code, id) {
      if (!PROTOCOL.test(id)) return null;
      return { code: code.replace(SCHEMA_CALL, '/* @__PURE__ */ $1'), map: null };
    },
    generateBundle(_options, bundle) {
      const chunks = new Map(
        Object.values(bundle)
          .filter((file): file is typeof file & ChunkLike => file.type === 'chunk')
          .map((chunk) => [chunk.fileName, chunk as unknown as ChunkLike]),
      );
      const seen = new Set<string>();
      const visit = (fileName: string): void => {
        if (seen.has(fileName)) return;
        seen.add(fileName);
        const chunk = chunks.get(fileName);
        if (!chunk) return;
        // Every schema TypeBox builds carries this symbol. (What is left of TypeBox without
        // schemas, under 2 KB: the policy module its package declares side-effectful.)
        if (chunk.code.includes(SCHEMA_MARK)) this.error(`TypeBox schemas are in ${fileName}, loaded with the first page: the client must not use the protocol's schemas`);
        chunk.imports.forEach(visit);
      };
      for (const chunk of chunks.values()) if (chunk.isEntry && chunk.fileName !== 'sw.js') visit(chunk.fileName);
    },
  };
}
