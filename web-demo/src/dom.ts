// DOM helpers for the UI files (the only files that touch the DOM).
export const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

export function pageParam(name: string): string | null {
  return new URLSearchParams(window.location.search).get(name);
}
