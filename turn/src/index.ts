export { iceServersFor, turnCredential, type TurnCredential, type TurnSettings } from './credentials.js';
export { Coturn, freeUdpTcpPort, renderCoturnConfig, stunBindingAnswers, udpTcpPortFree, type CoturnSettings, type StartCoturnOptions } from './coturn.js';
