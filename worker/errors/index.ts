export { APIFailure, statusOf } from './api-error';
export { errorBody, handleError } from './handle-error';
