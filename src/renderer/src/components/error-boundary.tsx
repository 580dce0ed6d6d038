import { Alert, Button, Code, Stack } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { Component, type ErrorInfo, type ReactNode } from 'react';

/**
 * A page that throws while rendering shows what went wrong and a way out, instead of a blank window.
 * Bakes keep running in main either way; this only concerns the view.
 */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('render failed', error, info.componentStack);
  }

  override componentDidUpdate(previous: { resetKey?: string }) {
    if (this.state.error && previous.resetKey !== this.props.resetKey) this.setState({ error: undefined });
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <Alert color="red" icon={<IconAlertTriangle />} title="This page could not be shown" role="alert">
        <Stack gap="sm" align="flex-start">
          <Code block>{this.state.error.message}</Code>
          Running bakes are not affected. Go to another page, or reload the window.
          <Button variant="light" onClick={() => window.location.reload()}>
            Reload the window
          </Button>
        </Stack>
      </Alert>
    );
  }
}
