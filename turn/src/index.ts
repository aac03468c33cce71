export { iceServersFor, turnCredential, type TurnCredential, type TurnSettings } from './credentials.js';
export {
  ALL_INTERFACES,
  checkTlsFiles,
  Coturn,
  CoturnConfigError,
  freeUdpTcpPort,
  renderCoturnConfig,
  stunBindingAnswers,
  tlsHandshakeAnswers,
  udpTcpPortFree,
  type CoturnSettings,
  type CoturnTls,
  type StartCoturnOptions,
  type TurnTransport,
} from './coturn.js';
