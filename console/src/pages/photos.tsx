import { Page, Empty } from '../ui.js';

export function Photos() {
  return (
    <Page title="Photos">
      <Empty>Not built yet.</Empty>
    </Page>
  );
}
