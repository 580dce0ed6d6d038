import { useEffect, useMemo, useRef } from 'react';
import { useFormContext, useWatch } from 'react-hook-form';
import { api } from '../../api';
import type { ProjectFormValues } from './project-form-model';

/** Draft writes and clears for one project, one at a time and in order, so a late save never revives a cleared draft. */
export function createDraftWriter(project: string) {
  let chain: Promise<unknown> = Promise.resolve();
  const run = (op: () => Promise<unknown>) => {
    chain = chain.then(op, op);
    return chain.then(
      () => undefined,
      () => undefined,
    );
  };
  return {
    save: (content: ProjectFormValues, baseRevision: string) =>
      run(() => api.drafts.save({ project, baseRevision, content })),
    clear: () => run(() => api.drafts.clear(project)),
  };
}
export type DraftWriter = ReturnType<typeof createDraftWriter>;

export function useDraftWriter(project: string): DraftWriter {
  return useMemo(() => createDraftWriter(project), [project]);
}

const DELAY_MS = 600;

/**
 * Saves what is on screen as a draft a moment after each change, so a crash or a quit loses nothing; clears
 * it once the form is back to the saved project. Rendered as its own component so that watching every
 * keystroke re-renders only this.
 */
export function DraftAutosave({
  writer,
  revision,
}: {
  writer: ReturnType<typeof useDraftWriter>;
  revision: string;
}) {
  const { control, getValues, formState } = useFormContext<ProjectFormValues>();
  const values = useWatch({ control });
  const dirty = formState.isDirty;
  const wrote = useRef(false);
  useEffect(() => {
    if (!dirty) {
      if (wrote.current) {
        wrote.current = false;
        void writer.clear();
      }
      return;
    }
    const timer = setTimeout(() => {
      wrote.current = true;
      void writer.save(getValues(), revision);
    }, DELAY_MS);
    return () => clearTimeout(timer);
  }, [values, dirty, revision, writer, getValues]);
  return null;
}
