/**
 * The markup tools above the presented page, for those allowed to draw (and
 * the eraser, undo and redo for anyone with marks of their own). Compact on
 * purpose so that it fits a 360-px phone: the drawing tools sit in one menu,
 * and the presenter's and moderators' options in another.
 */
import { useState } from 'preact/hooks';
import type { MarkupTool } from '@chantier/signaling/protocol';
import { errorText, t, type MessageKey } from '../../i18n';
import type { Tool } from '../../markup/markupState';
import { act } from '../act';
import { useMarkup } from './context';
import { MarkupOptions } from './MarkupOptions';

export const DRAWING_TOOLS: readonly MarkupTool[] = ['pen', 'highlighter', 'line', 'arrow', 'rect', 'ellipse', 'cloud', 'text', 'pin'];

/** A glyph per tool (the words are in the title and the menu). */
const GLYPH: Readonly<Record<Tool | 'none', string>> = {
  none: '✋',
  pen: '✎',
  highlighter: '▰',
  line: '╱',
  arrow: '➚',
  rect: '▭',
  ellipse: '◯',
  cloud: '☁',
  text: 'T',
  pin: '①',
  eraser: '⌫',
};

const toolName = (tool: Tool | null): string => t(`markup.tool.${tool ?? 'none'}` as MessageKey);

export function MarkupToolbar({ page }: { page: number }) {
  const markup = useMarkup();
  const [menu, setMenu] = useState<'tools' | 'options' | null>(null);
  if (!markup) return null;
  const { state, actions } = markup;
  const selfId = state.selfUserId.value;
  const hasOwn = [...state.marks.value.values()].some((m) => m.authorId === selfId);
  const canDraw = state.canDraw.value;
  const canManage = state.canManage.value || state.isModerator.value;
  if (!canDraw && !hasOwn && !canManage) return null;
  const tool = state.tool.value;
  const choose = (next: Tool | null): void => {
    actions.setTool(next);
    setMenu(null);
  };
  const error = state.error.value;

  return (
    <div class="markup-toolbar" role="toolbar" aria-label={t('markup.toolbar')} data-testid="markup-toolbar" data-tool={tool ?? 'none'}>
      {canDraw && (
        <div class="markup-toolbar__group">
          <button
            type="button"
            class={`button markup-toolbar__tool ${tool && tool !== 'eraser' ? 'markup-toolbar__tool--on' : ''}`}
            data-testid="markup-tools"
            aria-haspopup="menu"
            aria-expanded={menu === 'tools'}
            title={t('markup.tools')}
            onClick={() => setMenu(menu === 'tools' ? null : 'tools')}
          >
            <span aria-hidden="true">{GLYPH[tool && tool !== 'eraser' ? tool : 'pen']}</span>
            <span class="markup-toolbar__label">{tool && tool !== 'eraser' ? toolName(tool) : t('markup.annotate')}</span>
          </button>
          {menu === 'tools' && (
            <div class="markup-menu" role="menu" data-testid="markup-tool-menu">
              {([null, ...DRAWING_TOOLS] as const).map((item) => (
                <button
                  key={item ?? 'none'}
                  type="button"
                  role="menuitemradio"
                  aria-checked={tool === item}
                  class="markup-menu__item"
                  data-testid={`markup-tool-${item ?? 'none'}`}
                  onClick={() => choose(item)}
                >
                  <span class="markup-menu__glyph" aria-hidden="true">
                    {GLYPH[item ?? 'none']}
                  </span>
                  {toolName(item)}
                </button>
              ))}
            </div>
          )}
        </div>
      )}
      {(hasOwn || state.isModerator.value) && (
        <button
          type="button"
          class={`button icon-button ${tool === 'eraser' ? 'markup-toolbar__tool--on' : ''}`}
          data-testid="markup-tool-eraser"
          aria-pressed={tool === 'eraser'}
          aria-label={toolName('eraser')}
          title={toolName('eraser')}
          onClick={() => choose(tool === 'eraser' ? null : 'eraser')}
        >
          {GLYPH.eraser}
        </button>
      )}
      <IconAction testId="markup-undo" label={t('markup.undo')} glyph="↶" disabled={!state.canUndo.value} onClick={() => act(actions.undo())} />
      <IconAction testId="markup-redo" label={t('markup.redo')} glyph="↷" disabled={!state.canRedo.value} onClick={() => act(actions.redo())} />
      {canManage && (
        <div class="markup-toolbar__group">
          <button
            type="button"
            class="button icon-button"
            data-testid="markup-more"
            aria-haspopup="dialog"
            aria-expanded={menu === 'options'}
            aria-label={t('markup.more')}
            title={t('markup.more')}
            onClick={() => setMenu(menu === 'options' ? null : 'options')}
          >
            ⋯
          </button>
          {menu === 'options' && <MarkupOptions page={page} onClose={() => setMenu(null)} />}
        </div>
      )}
      {error && (
        <p class="markup-toolbar__error" role="alert" data-testid="markup-error" data-code={error}>
          {errorText(error)}
          <button type="button" class="button" aria-label={t('markup.close')} onClick={() => actions.dismissError()}>
            ×
          </button>
        </p>
      )}
    </div>
  );
}

function IconAction(props: { testId: string; label: string; glyph: string; disabled: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      class="button icon-button"
      data-testid={props.testId}
      disabled={props.disabled}
      aria-label={props.label}
      title={props.label}
      onClick={props.onClick}
    >
      {props.glyph}
    </button>
  );
}
