import type { Notice } from '../../shared/notice';

/** Notices wait here until the user dismisses them, so a renderer that loads late still sees them. */
export class NoticeBoard {
  private readonly notices = new Map<string, Notice>();
  private readonly listeners = new Set<(notice: Notice) => void>();

  post(notice: Notice): void {
    this.notices.set(notice.id, notice);
    for (const listener of this.listeners) listener(notice);
  }

  dismiss(id: string): void {
    this.notices.delete(id);
  }

  list(): Notice[] {
    return [...this.notices.values()].sort((a, b) => a.at - b.at);
  }

  onPost(listener: (notice: Notice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
