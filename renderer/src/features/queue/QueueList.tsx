// The queue as a keyboard-driven listbox that renders only the rows in view (thousands stay fast).
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import {
  directorySelectors,
  queueSelectors,
  requestSelectors,
  sessionSelectors,
  useConsole,
  useConsoleStore,
} from '../../store';
import { NO_USERS_YET, NO_USERS_YET_AGENT } from '../settings/directory/empty-directory';
import { QUEUE_LIST_ID } from '../shell/shortcuts';
import { QueueRow, optionId } from './QueueRow';

const ROW_HEIGHT = 64;

export function QueueList() {
  const store = useConsoleStore();
  const ids = useConsole(queueSelectors.visibleIds);
  const activeId = useConsole(queueSelectors.activeId);
  const openId = useConsole(requestSelectors.openId);
  const status = useConsole(queueSelectors.status);
  const search = useConsole(queueSelectors.search);
  const desks = useConsole(sessionSelectors.desks);
  const isAdmin = useConsole(sessionSelectors.isAdmin);
  const noDeskEnabled = useConsole(
    (s) => !!s.config && !Object.values(s.config.helpDesks).some((desk) => desk.enabled),
  );
  const noUsers = useConsole(directorySelectors.isEmptyEmbedded);
  const scroller = useRef<HTMLDivElement>(null);

  // The console is not built with the React Compiler; the virtualizer re-renders this list itself.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => ids[index] ?? index,
    overscan: 8,
  });

  // New requests join at the end: an agent who has scrolled down to the end keeps seeing them.
  const followingEnd = useRef(false);
  const onScroll = () => {
    const el = scroller.current;
    if (el)
      followingEnd.current =
        el.scrollTop > 0 && el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT;
  };
  const shown = ids.length;
  const shownBefore = useRef(shown);
  useEffect(() => {
    if (shown > shownBefore.current && followingEnd.current)
      virtualizer.scrollToIndex(shown - 1, { align: 'end' });
    shownBefore.current = shown;
  }, [shown, virtualizer]);

  const activeIndex = activeId ? ids.indexOf(activeId) : -1;
  useEffect(() => {
    if (activeIndex >= 0) virtualizer.scrollToIndex(activeIndex, { align: 'auto' });
  }, [activeIndex, virtualizer]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const state = store.getState();
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 0) / ROW_HEIGHT) - 1);
    switch (event.key) {
      case 'ArrowDown':
        state.moveActive(1);
        break;
      case 'ArrowUp':
        state.moveActive(-1);
        break;
      case 'PageDown':
        state.moveActive(page);
        break;
      case 'PageUp':
        state.moveActive(-page);
        break;
      case 'Home':
        state.moveActiveToEdge('first');
        break;
      case 'End':
        state.moveActiveToEdge('last');
        break;
      case 'Enter':
      case ' ':
        if (!state.activeId) return;
        void state.openRequest(state.activeId);
        break;
      case 'c':
      case 'C': {
        const request = state.activeId ? state.requests.get(state.activeId) : undefined;
        if (!request || request.state !== 'queued') return;
        void state.claim(request.id);
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  };

  // A newcomer's realm says what is missing before it says the queue is empty.
  const setUpNeeded = noDeskEnabled || noUsers;
  const empty =
    status === 'loading' && ids.length === 0
      ? 'Loading the queue…'
      : ids.length === 0
        ? search.trim()
          ? `No open request matches “${search.trim()}”.`
          : noDeskEnabled
            ? isAdmin
              ? 'No help desk is enabled: open Settings → Help desks and enable one, so end-users can ask for help.'
              : 'No help desk is enabled yet, so no requests can arrive. An admin enables them.'
            : noUsers
              ? isAdmin
                ? NO_USERS_YET
                : NO_USERS_YET_AGENT
              : desks.length === 0
                ? 'You staff no desk yet; ask an admin to add you to one.'
                : 'No open requests. New ones appear here as they arrive.'
        : null;

  return (
    <div className="queue-list-wrap">
      <div
        ref={scroller}
        id={QUEUE_LIST_ID}
        className="queue-list"
        role="listbox"
        tabIndex={0}
        aria-label="Open requests"
        aria-activedescendant={activeIndex >= 0 && activeId ? optionId(activeId) : undefined}
        onKeyDown={onKeyDown}
        onScroll={onScroll}
        onFocus={() => {
          if (!store.getState().activeId && ids[0]) store.getState().setActiveId(ids[0]);
        }}
      >
        <div className="queue-list-inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const id = ids[item.index]!;
            return (
              <QueueRow
                key={id}
                id={id}
                position={item.index + 1}
                setSize={ids.length}
                top={item.start}
                active={id === activeId}
                open={id === openId}
                onPick={() => {
                  store.getState().setActiveId(id);
                  scroller.current?.focus({ preventScroll: true });
                  void store.getState().openRequest(id);
                }}
              />
            );
          })}
        </div>
      </div>
      {empty ? (
        <div className="queue-empty">
          <p role="status">{empty}</p>
          {setUpNeeded && isAdmin && ids.length === 0 && !search.trim() ? (
            <button
              type="button"
              className="button button-small queue-empty-action"
              onClick={() => {
                // Where the missing piece is set up.
                store.getState().openSettings(noDeskEnabled ? 'desks' : 'directory');
              }}
            >
              Open Settings
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
