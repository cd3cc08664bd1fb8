import { Page, Empty } from '../ui.js';

export function Camera() {
  return (
    <Page title="Camera">
      <Empty>Not built yet.</Empty>
    </Page>
  );
}
