import { InboxMessage } from './inbox-message.entity';

export { InboxMessage };

/** Every entity the data source knows. */
export const entities = [InboxMessage];
