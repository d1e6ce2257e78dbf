/** A search box, and the query it settles on after a pause in typing, kept in the address. */
import { useEffect, useState } from 'preact/hooks';

/** Wait for a pause in typing before asking the server. */
const SEARCH_DELAY_MS = 250;

export interface Search {
  /** What the box holds. */
  text: string;
  setText: (text: string) => void;
  /** What to search for: the text, trimmed, once typing pauses or Enter is pressed. */
  query: string;
  submit: (event: Event) => void;
}

/** @param path the page's path: `?q=` is added to it, so Back and a reload bring the search back. */
export function useSearch(path: string): Search {
  const initial = new URLSearchParams(location.search).get('q') ?? '';
  const [text, setText] = useState(initial);
  const [query, setQuery] = useState(initial.trim());

  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);

  useEffect(() => {
    history.replaceState(null, '', query ? `${path}?q=${encodeURIComponent(query)}` : path);
  }, [path, query]);

  return {
    text,
    setText,
    query,
    submit: (event: Event) => {
      event.preventDefault();
      setQuery(text.trim());
    },
  };
}

/** The search form: a labelled search field, focused on arrival; Enter searches at once. */
export function SearchBox({ label, search }: { label: string; search: Search }) {
  return (
    <form role="search" onSubmit={search.submit}>
      <label class="field">
        <span>{label}</span>
        <input type="search" value={search.text} onInput={(e) => search.setText(e.currentTarget.value)} autofocus />
      </label>
    </form>
  );
}
