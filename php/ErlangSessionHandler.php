<?php

declare(strict_types=1);

/**
 * PHP sessions kept in an Erlang node (erlang/src/session_handler.erl), the
 * userland handler of the 2009 article "Erlang as Session Storage for PHP"
 * made correct for PHP 8: every callback returns what PHP 8 requires, and
 * a failure is reported as one (false, with a warning) instead of being
 * taken for an empty session.
 *
 * The node must have run session_handler:start().
 *
 * SessionUpdateTimestampHandlerInterface is left out on purpose: the Erlang
 * module cannot tell an empty session from a missing one, so validateId()
 * could not be exact. Without it PHP refreshes a session by calling write(),
 * and session.use_strict_mode accepts any id (it only checks that read()
 * succeeds), so do not rely on strict mode with this handler.
 */
final class ErlangSessionHandler implements SessionHandlerInterface
{
    /** @var resource|null */
    private $link = null;

    /**
     * Takes the node and cookie from the caller so that neither lives in
     * code. The timeout bounds connecting; each call is bounded by
     * peb.default_timeout.
     */
    public function __construct(
        private readonly string $node,
        #[\SensitiveParameter] private readonly string $cookie,
        private readonly int $timeout_ms = 5000,
    ) {
        // Checked here, where a mistake can throw, rather than in open(),
        // where it would surface as a failed session_start().
        if ($node === '') {
            throw new ValueError(__METHOD__ . '(): Argument #1 ($node) must not be empty');
        }
        if ($timeout_ms <= 0) {
            throw new ValueError(__METHOD__ . '(): Argument #3 ($timeout_ms) must be greater than 0');
        }
    }

    /** The cookie must never reach a log, as it did with the original handler. */
    public function __debugInfo(): array
    {
        return ['node' => $this->node, 'cookie' => '********', 'timeout_ms' => $this->timeout_ms];
    }

    /**
     * A persistent link, so that an FPM worker connects once and not on
     * every request.
     */
    public function open(string $path, string $name): bool
    {
        // The extension warns on its own; silenced so that the one warning
        // says which handler failed and is scrubbed of the cookie here.
        $link = @peb_pconnect($this->node, $this->cookie, $this->timeout_ms);
        if ($link === false) {
            $this->warn(sprintf('cannot connect to %s: %s', $this->node, (string) peb_error()));
            return false;
        }
        $this->link = $link;
        return true;
    }

    /** Drops only this request's handle: the persistent link stays for the next one. */
    public function close(): bool
    {
        if ($this->link !== null) {
            peb_close($this->link);
            $this->link = null;
        }
        return true;
    }

    /** '' for a session the node does not know, false when the node could not answer. */
    public function read(string $id): string|false
    {
        $data = $this->call('read', peb_encode('[~b]', [[$id]]));
        return is_string($data) ? $data : false;
    }

    /** ~b, as session data is bytes: ~s would make a list of integers of anything past 64 KiB. */
    public function write(string $id, string $data): bool
    {
        return $this->call('write', peb_encode('[~b,~b]', [[$id, $data]])) === 'ok';
    }

    /** True for a session that was not there: it is gone either way. */
    public function destroy(string $id): bool
    {
        return $this->call('destroy', peb_encode('[~b]', [[$id]])) === 'ok';
    }

    public function gc(int $max_lifetime): int|false
    {
        $removed = $this->call('gc', peb_encode('[~i]', [[$max_lifetime]]));
        return is_int($removed) ? $removed : false;
    }

    /**
     * session_handler:$function(...) on the node; the decoded reply, or null
     * (with a warning) when the call failed, so no failure reads as data.
     */
    private function call(string $function, $args): mixed
    {
        if ($this->link === null) {
            $this->warn("$function: the handler is not open");
            return null;
        }
        $reply = peb_rpc('session_handler', $function, $args, $this->link);
        if ($reply === false) {
            $this->warn("$function: " . (string) peb_error());
            return null;
        }
        $value = peb_decode($reply)[0];
        // {badrpc, Reason} is a reply, not a transport failure: the module
        // is not loaded, its table is not started, or it crashed.
        if (is_array($value) && ($value[0] ?? null) === 'badrpc') {
            $this->warn("$function: " . peb_print_term($reply, true));
            return null;
        }
        return $value;
    }

    /** Every warning goes through here, so none can carry the cookie. */
    private function warn(string $message): void
    {
        if ($this->cookie !== '') {
            $message = str_replace($this->cookie, '********', $message);
        }
        trigger_error(self::class . ": $message", E_USER_WARNING);
    }
}
