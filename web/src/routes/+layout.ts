/**
 * Client-rendered app (all data is live and per user): finds out who is signed in and keeps each role
 * on the pages it may open.
 */
import { redirect } from '@sveltejs/kit';
import type { Principal } from '$contract/auth';
import { ApiError } from '$lib/api';
import { whoAmI } from '$lib/auth';
import { homeFor, mayOpen } from '$lib/roles';
import type { LayoutLoad } from './$types';

export const ssr = false;
export const prerender = false;

export const load: LayoutLoad = async ({ fetch, url, depends }) => {
  depends('app:auth');
  let principal: Principal | null = null;
  let problem: string | null = null;
  try {
    principal = await whoAmI(fetch);
  } catch (err) {
    problem = err instanceof ApiError ? err.message : 'the server cannot be reached';
  }
  const path = url.pathname;
  if (problem === null) {
    if (principal === null && path !== '/login') {
      const next = path === '/' ? '' : `?next=${encodeURIComponent(path + url.search)}`;
      redirect(307, `/login${next}`);
    }
    if (principal !== null && (path === '/' || (path !== '/login' && !mayOpen(principal.role, path)))) {
      redirect(307, homeFor(principal.role));
    }
  }
  return { principal, problem };
};
