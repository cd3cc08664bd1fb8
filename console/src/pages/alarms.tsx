import { Page, Empty } from '../ui.js';

export function Alarms() {
  return (
    <Page title="Alarms">
      <Empty>Not built yet.</Empty>
    </Page>
  );
}
