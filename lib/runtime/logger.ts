/** The one structured logger (Powertools). Level from POWERTOOLS_LOG_LEVEL / LOG_LEVEL. */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'dr-relay' });
