// The official MCP Apps host bridge, bundled for the test host page by `make test-browser` (esbuild).
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

globalThis.AppBridge = AppBridge;
globalThis.PostMessageTransport = PostMessageTransport;
