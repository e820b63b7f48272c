/**
 * API Gateway HTTP API (payload format 2.0) <-> HttpRequest / HttpResponse.
 * Owns: the event format. Header names are lower-cased; a base64 body is decoded.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpRequest, HttpResponse } from './types.ts';

export const fromApiGateway = (event: APIGatewayProxyEventV2): Omit<HttpRequest, 'params'> => ({
  method: event.requestContext.http.method,
  path: event.rawPath,
  headers: Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  query: event.queryStringParameters ?? {},
  body:
    event.body === undefined
      ? ''
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body,
});

export const toApiGateway = (response: HttpResponse): APIGatewayProxyStructuredResultV2 => ({
  statusCode: response.statusCode,
  headers: response.headers,
  body: response.body,
  isBase64Encoded: false,
});
