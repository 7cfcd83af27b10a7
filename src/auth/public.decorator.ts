import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'mappa:public';

/** Marks a route that needs no token (health, API documentation). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
