import { Page, Empty } from '../ui.js';

export function Media() {
  return (
    <Page title="Media">
      <Empty>Not built yet.</Empty>
    </Page>
  );
}
