import { useRoom } from '../context';
import { Tile } from '../Tile';

/** Everyone's tile; the stage's default content, and the speakers' view. */
export function Grid() {
  const { state } = useRoom();
  const tiles = state.tiles.value;
  return (
    <section class={`grid ${tiles.length > 2 ? 'grid--many' : ''}`} data-testid="grid" data-count={tiles.length}>
      {tiles.map((tile) => (
        <Tile key={tile.peerId} tile={tile} />
      ))}
    </section>
  );
}

/**
 * The tiles in one scrolling row under stage content (a share, a document),
 * so that faces stay in sight on wide screens. Phones hide it (CSS): there
 * the switcher's "Participants" is one tap away.
 */
export function Filmstrip() {
  const { state } = useRoom();
  return (
    <section class="filmstrip" data-testid="filmstrip">
      {state.tiles.value.map((tile) => (
        <Tile key={tile.peerId} tile={tile} />
      ))}
    </section>
  );
}
