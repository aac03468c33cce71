/** Where a text note is typed: at the tapped spot; Enter adds it (Shift+Enter: a new line), Escape drops it. */
import { useEffect, useRef } from 'preact/hooks';
import { MARKUP_LIMITS } from '@chantier/signaling/protocol';
import { t } from '../../i18n';
import type { Point } from '../../markup/geometry';

export function TextEntry({ at, onDone }: { at: Point; onDone: (text: string) => void }) {
  const field = useRef<HTMLTextAreaElement>(null);
  const done = useRef(false);
  useEffect(() => field.current?.focus(), []);
  const finish = (text: string): void => {
    if (done.current) return;
    done.current = true;
    onDone(text);
  };
  return (
    <form
      class="markup-text"
      style={{ left: `${at.x}px`, top: `${at.y}px` }}
      onSubmit={(event) => {
        event.preventDefault();
        finish(field.current?.value ?? '');
      }}
    >
      <textarea
        ref={field}
        data-testid="markup-text-input"
        rows={2}
        maxLength={MARKUP_LIMITS.textLength}
        placeholder={t('markup.textPlaceholder')}
        aria-label={t('markup.tool.text')}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey) {
            event.preventDefault();
            finish(event.currentTarget.value);
          } else if (event.key === 'Escape') finish('');
        }}
      />
      <button type="submit" class="button button--primary" data-testid="markup-text-add">
        {t('markup.textAdd')}
      </button>
    </form>
  );
}
