/**
 * Where a Cloud Eye alarm may act: only on a route whose region and project are those of the SMN
 * topic it came from (`urn:smn:<region>:<project_id>:<name>`, carried by the signal's `topic_urn`
 * label, which nothing inside the message can override), and, when the route names a `topic_urn`,
 * only from that topic. A topic named by a route is also an allowed topic (the webhook adds it to
 * the allow-list).
 * Owns: those rules. Must not touch: the allow-list check itself (lib/sources/smnDelivery.ts),
 * matching of other sources.
 */
import { type AlarmSignal, parseSmnTopicUrn } from '../sources/index.ts';
import type { Route } from './schema.ts';

/** Why `route` may not act on the Cloud Eye `signal` because of its topic; empty when it may (or not Cloud Eye). */
export const smnOriginMismatches = (signal: AlarmSignal, route: Route): string[] => {
  if (signal.source !== 'cloud-eye') return [];
  const urn = Object.hasOwn(signal.labels, 'topic_urn') ? signal.labels['topic_urn'] : undefined;
  const topic = urn === undefined ? undefined : parseSmnTopicUrn(urn);
  if (topic === undefined) return ['the alarm names no SMN topic (urn:smn:<region>:<project_id>:<name>)'];
  const why: string[] = [];
  if (route.match.topic_urn !== undefined && route.match.topic_urn !== topic.urn) {
    why.push(`SMN topic is ${topic.urn}, route wants ${route.match.topic_urn}`);
  }
  if (topic.region !== route.region) {
    why.push(`SMN topic region is ${topic.region}, the route acts in ${route.region}`);
  }
  if (topic.project_id !== route.project_id.toLowerCase()) {
    why.push(`SMN topic project is ${topic.project_id}, the route acts in project ${route.project_id}`);
  }
  return why;
};

/** A route's topic_urn must be in its own region and project (else it could never act). */
export const topicUrnProblem = (route: Route): string | undefined => {
  if (route.match.topic_urn === undefined) return undefined;
  const topic = parseSmnTopicUrn(route.match.topic_urn);
  if (topic === undefined) return undefined; // the schema reports it
  if (topic.region !== route.region || topic.project_id !== route.project_id.toLowerCase()) {
    return `is in ${topic.region} / project ${topic.project_id}, but the route acts in ${route.region} / project ${route.project_id}: an alarm from it could never act`;
  }
  return undefined;
};

/** The topics the routes name: each is an allowed SMN topic. */
export const routeTopicUrns = (routes: readonly Route[]): string[] => [
  ...new Set(routes.flatMap((route) => (route.match.topic_urn === undefined ? [] : [route.match.topic_urn]))),
];
