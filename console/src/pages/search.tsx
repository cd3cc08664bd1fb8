import { Page, Empty } from '../ui.js';

export function Search() {
  return (
    <Page title="Search">
      <Empty>Not built yet.</Empty>
    </Page>
  );
}
