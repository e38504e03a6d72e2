import { Component, type ErrorInfo, type ReactNode } from 'react';
import { portalMessages } from '../i18n/portal';

interface State {
  failed: boolean;
}

/**
 * Catches a page that failed to render or whose code failed to load (a lazily loaded chunk that a
 * new deployment replaced), so that the frame stays usable and the person knows to reload.
 */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidUpdate(prev: { resetKey?: string }) {
    if (this.state.failed && prev.resetKey !== this.props.resetKey) {
      this.setState({ failed: false });
    }
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    // Kept for whoever opens the browser console; the page itself says what to do.
    console.warn('page failed to render', error, info.componentStack);
  }

  override render() {
    if (this.state.failed) {
      return (
        <div className="callout callout-danger problem" role="alert">
          <p className="problem-title">{portalMessages.states.pageFailed}</p>
          <p>{portalMessages.states.pageFailedDetail}</p>
          <p>
            <strong>{portalMessages.states.whatToDo}</strong> {portalMessages.states.reloadAction}{' '}
            <button type="button" className="button button-secondary" onClick={() => window.location.reload()}>
              {portalMessages.states.reload}
            </button>
          </p>
        </div>
      );
    }
    return this.props.children;
  }
}
