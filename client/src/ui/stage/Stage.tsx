/**
 * The meeting's main area. It shows one StageItem, chosen by the stage
 * state (stage/stageState.ts), rendered by the one switch below; a new kind
 * of content is a new case there and a new label in StageSwitcher.
 */
import type { StageItem } from '../../stage/stageItems';
import { useStage } from '../context';
import { Filmstrip, Grid } from './Grid';
import { PresentationStage } from '../presentation/PresentationStage';
import { ScreenStage } from './ScreenStage';
import { StageSwitcher } from './StageSwitcher';
import './stage.css';

function StageContent({ item }: { item: StageItem }) {
  switch (item.kind) {
    case 'grid':
      return <Grid />;
    case 'screen':
      // Keyed by producer: a new share starts with a fresh zoom.
      return <ScreenStage key={item.producerId} peerId={item.peerId} />;
    case 'presentation':
      return <PresentationStage key={item.presentationId} />;
  }
}

export function Stage() {
  const { state } = useStage();
  const current = state.current.value;
  return (
    <div class="stage" data-testid="stage" data-kind={current.kind}>
      <StageSwitcher />
      <StageContent item={current} />
      {current.kind !== 'grid' && <Filmstrip />}
    </div>
  );
}
