/** A database failure, classified: `connect` and `unavailable` are worth a retry. */
class SqlError extends Error {
    kind;
    constructor(kind, message, options) {
        super(message, options);
        this.kind = kind;
        this.name = 'SqlError';
    }
    get transient() {
        return this.kind === 'connect' || this.kind === 'unavailable';
    }
}
const messageOf = (e) => (e instanceof Error ? e.message : String(e));
/** `host:port/database` of a connection URL, without credentials or parameters, for messages. */
function safeTarget(url) {
    try {
        const u = new URL(url);
        const db = u.pathname.replace(/^\//, '');
        return `${u.hostname}${u.port ? `:${u.port}` : ''}${db ? `/${db}` : ''}`;
    }
    catch {
        return '(unparsable URL)';
    }
}

export { SqlError as S, messageOf as m, safeTarget as s };
