import { Module } from '@nestjs/common';
import { WorkbenchController } from './workbench.controller';

/** The workbench room: what the page asks of the service besides the API (who the caller is, the names it shows). */
@Module({
  controllers: [WorkbenchController],
})
export class WorkbenchModule {}
