import { Page, Empty } from '../ui.js';

export function Ftp() {
  return (
    <Page title="Ftp">
      <Empty>Not built yet.</Empty>
    </Page>
  );
}
